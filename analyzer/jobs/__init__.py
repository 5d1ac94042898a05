"""Batch comparison: many (old, new) pairs, on local processes or a Dask cluster.

`manifest` reads the pairs (a CSV or JSON Lines manifest, or an Open Terms Archive folder),
`runner` keeps the ledger (OUT/index.jsonl) that makes a batch resumable, `executor` runs
chunks of pairs on a process pool or Dask, and `worker` is what runs inside a worker.
"""
