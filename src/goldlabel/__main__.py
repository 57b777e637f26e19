"""``python -m goldlabel``: the command line."""

from goldlabel.cli import main

if __name__ == "__main__":
    main()
