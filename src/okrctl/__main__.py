"""`python -m okrctl` and the `okrctl` command: the cyclic collector is off before the first
import, not from `main()` on, since loading typer, GitPython and okrctl's modules creates tens of
thousands of objects the collector would rescan (measured: 4 % of a warm `history REF`)."""

import gc


def run() -> None:
    gc.disable()
    from okrctl.cli import main

    main()


if __name__ == "__main__":
    run()
