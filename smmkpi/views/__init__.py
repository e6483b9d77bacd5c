"""Page view-models: what a page shows, as pure functions of KPI results and stored frames.

A view-model may use `smmkpi.kpis`, never Streamlit and never a database write (writes are
`smmkpi.actions`)."""
