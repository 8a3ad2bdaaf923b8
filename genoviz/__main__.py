from genoviz.cli import main

raise SystemExit(main())
