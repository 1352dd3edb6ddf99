"""Rebuild the screenshots of the demo's site shown in docs/commands.md (needs Debian's chromium):

.venv/bin/python docs/screenshots/take.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHOTS = {  # name: (page, width, height)
    "site-index-1280": ("index.html", 1280, 1500),
    "site-index-390": ("index.html", 390, 1500),
    "site-team-1280": ("units/signups.html", 1280, 1500),
    "site-team-390": ("units/signups.html", 390, 1500),
}


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    okrctl = [sys.executable, "-m", "okrctl"]
    with tempfile.TemporaryDirectory() as folder:
        demo, out = Path(folder) / "demo", Path(folder) / "public"
        subprocess.run([*okrctl, "demo", str(demo)], check=True, capture_output=True)
        subprocess.run(
            [*okrctl, "site", str(out), "--repo", str(demo), "--as-of", "2026-11-14"], check=True
        )
        for name, (page, width, height) in SHOTS.items():
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    f"--user-data-dir={Path(folder) / 'profile'}",
                    f"--window-size={width},{height}",
                    f"--screenshot={HERE / (name + '.png')}",
                    (out / page).as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            print(f"docs/screenshots/{name}.png")


if __name__ == "__main__":
    main()
