"""Telling people: alert rules and their deliveries (`alerts`), scheduled digests as HTML
email with a PDF (`digests`, `pdf`), the email and webhook senders (`deliver`) and the
optional in-process scheduler (`scheduler`). No Streamlit here; the Alerts page and the
CLI (`python -m smmkpi alerts run`, `digests run`) call these."""
