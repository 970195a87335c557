"""The team set-up's moving parts, started from Debian's and PyPI's own programs: a PostgreSQL
cluster (:mod:`.postgres`), app replicas (:mod:`.replicas`), HAProxy in front of them
(:mod:`.proxy`), and the one-machine demonstration ``make team`` runs (:mod:`.demo`).

The tests and the benchmarks start the same parts through the same functions, so what they
prove is what ``make team`` runs. A production desk runs the same programs its own way
(``deploy/``: the HAProxy config, a Containerfile and a compose file); see docs/team.md.
"""
