"""`python -m okrctl` and the `okrctl` command. One command, then exit: the cyclic collector is
switched off here, before the first import, and stays off. It would only rescan, again and
again, the hundreds of thousands of objects a large repository loads (measured: a sixth of a
warm `check` at 2,000 teams), and what okrctl creates has no cycles worth collecting before
exit. (A library caller keeps its collector: `store.load` pauses it only while loading.)"""

import gc


def run() -> None:
    gc.disable()
    from okrctl.cli import main

    main()


if __name__ == "__main__":
    run()
