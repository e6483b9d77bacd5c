"""Every change to the stored data: importing files, editing targets, changing user roles.

The CLI, the pages and `smmkpi.ui` call these; each validates, writes through
`smmkpi.store` in one transaction and leaves its audit entry. No Streamlit here."""
