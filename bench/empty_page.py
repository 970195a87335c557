"""The floor for a server-side rerun: a Streamlit script that draws nothing (bench/run.py)."""

import streamlit as st  # noqa: F401
