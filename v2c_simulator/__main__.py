"""Run the simulator: python -m v2c_simulator --help."""

from v2c_simulator.cli import main

main()
