"""smmkpi: the dashboard's entry point (page config, sidebar, navigation)."""

import streamlit as st

from smmkpi.ui.context import render_sidebar

st.set_page_config(page_title="smmkpi", page_icon=":material/insights:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/traffic.py", title="Traffic", icon=":material/travel_explore:"),
    st.Page("pages/journeys.py", title="Journeys", icon=":material/route:"),
    st.Page("pages/community.py", title="Community", icon=":material/forum:"),
    st.Page("pages/reputation.py", title="Reputation & audience", icon=":material/campaign:"),
]

page = st.navigation(PAGES)
render_sidebar()
page.run()
