"""``python -m tools.emulator``: see launch.py."""

from tools.emulator.launch import main

main()
