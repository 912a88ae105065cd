"""A writer process for the crash test: commits tickets, then dies inside a transaction.

Prints "committed N" after each commit and "inside" once a transaction holds uncommitted
rows, then waits to be killed.
"""

import sys
import time

from cs_console.storage.models import Customer
from cs_console.store import Store

store = Store.open(sys.argv[1])
count = int(sys.argv[2])
for n in range(count):
    store.create_ticket(new_customer=Customer(name=f"Rig {n}"), subject=f"Ticket {n}", first_message="help")
    print(f"committed {n + 1}", flush=True)
with store.write() as session:
    store._insert(session, Customer(name="never committed"))
    session.flush()
    print("inside", flush=True)
    time.sleep(60)
