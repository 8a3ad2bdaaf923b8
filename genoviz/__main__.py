import sys

try:  # torch and the rest take seconds to import: Ctrl-C then is no traceback either
    from genoviz.cli import main
except KeyboardInterrupt:
    print("genoviz: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
