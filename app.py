"""smmkpi: the dashboard's entry point. The pages are listed in smmkpi/ui/shell.py."""

from smmkpi.ui.shell import run

run()
