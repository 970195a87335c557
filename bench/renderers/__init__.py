"""What the renderers measure (bench/measures/renderers.py) uses: the MapLibre map the geo
(SVG) map was chosen against (maplibre_map.py), and the page both are timed in (page.html)."""
