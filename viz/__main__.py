"""Allow `python -m viz`."""
from viz.cli.app import main

raise SystemExit(main())
