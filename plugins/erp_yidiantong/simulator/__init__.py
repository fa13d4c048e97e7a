"""The 一点通 ERP simulator: a stand-alone ERP speaking EGP/1 over its own database.

``make_simulator_app(data_dir)`` builds it, ``load_dataset(app, dataset)``
fills it with the demo factory, ``erp_sim_command`` runs it alone
(``ydt erp-sim``). Its control API (``/_sim/...``) moves production on, changes
prices and stock, takes it offline and injects faults.
"""

from plugins.erp_yidiantong.simulator.app import DEMO_KEY_ID, DEMO_SECRET, SimulatorApp, make_simulator_app
from plugins.erp_yidiantong.simulator.loader import add_synthetic_prices, load_dataset

__all__ = [
    "DEMO_KEY_ID",
    "DEMO_SECRET",
    "SimulatorApp",
    "add_synthetic_prices",
    "load_dataset",
    "make_simulator_app",
]
