"""smmkpi: the dashboard's entry point (page config, sidebar, navigation)."""

import streamlit as st

from smmkpi.ui import auth
from smmkpi.ui.context import render_sidebar

st.set_page_config(page_title="smmkpi", page_icon=":material/insights:", layout="wide")
auth.gate()  # hosted: only the login or no-access view until the user has a role

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/traffic.py", title="Traffic", icon=":material/travel_explore:"),
    st.Page("pages/journeys.py", title="Journeys", icon=":material/route:"),
    st.Page("pages/community.py", title="Community", icon=":material/forum:"),
    st.Page("pages/reputation.py", title="Reputation & audience", icon=":material/campaign:"),
    st.Page("pages/targets.py", title="Targets", icon=":material/flag:"),
    st.Page("pages/goals.py", title="Goals", icon=":material/category:"),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
]
if auth.can("admin"):
    PAGES.append(st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"))

page = st.navigation(PAGES)
render_sidebar()
page.run()
