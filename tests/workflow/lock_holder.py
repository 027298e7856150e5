"""Hold a local state's lock from another process, for the locking tests.

``python -m tests.workflow.lock_holder STATE_PATH`` takes the lock as a gitterra command would
(through ``gitterra.backends``), prints its LockInfo as one JSON line, then waits for a line on
standard input (or its end) and releases the lock.
"""

from __future__ import annotations

import json
import os
import sys

from gitterra import backends, state


def main(where: str) -> int:
    backend = backends.configure("local", {"path": where}, {}, os.getcwd())
    client = backend.client(state.DEFAULT_WORKSPACE)
    info = state.LockInfo.new("OperationTypeApply", info="held by lock_holder", path=where)
    lock_id = client.lock(info)
    print(json.dumps({"id": lock_id, "who": info.who, "operation": info.operation}), flush=True)
    sys.stdin.readline()
    client.unlock(lock_id)
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
