#!/usr/bin/env python3
"""The scheduler side of the PAYBATCH batch job, as a data centre would run it.

Takes each complete request file (PAYREQ.<job>.DAT with its .done marker) out of the inbox, runs
the GnuCOBOL program over it with DD_PAYIN/DD_PAYOUT pointing at the files, and publishes the
result file in the outbox the safe way (hidden temporary name, fsync, rename, then the .done
marker). Every request taken is appended to a ledger, one name per line, so that tests can show
that no request file was ever delivered twice.

Usage: spooler.py PROGRAM INBOX OUTBOX WORK LEDGER
Prints "ready" once it watches the inbox; stops when its standard input closes.
"""
import os
import shutil
import subprocess
import sys
import threading
import time


def publish(source, outbox, name):
    temporary = os.path.join(outbox, "." + name + ".tmp")
    with open(source, "rb") as reader, open(temporary, "wb") as writer:
        shutil.copyfileobj(reader, writer)
        writer.flush()
        os.fsync(writer.fileno())
    os.rename(temporary, os.path.join(outbox, name))
    with open(os.path.join(outbox, name + ".done"), "wb") as marker:
        os.fsync(marker.fileno())


def run_once(program, inbox, outbox, work, ledger):
    for name in sorted(os.listdir(inbox)):
        if not (name.startswith("PAYREQ.") and name.endswith(".DAT")):
            continue
        if not os.path.exists(os.path.join(inbox, name + ".done")):
            continue
        job = name[len("PAYREQ."):-len(".DAT")]
        taken = os.path.join(work, name)
        os.rename(os.path.join(inbox, name), taken)
        os.remove(os.path.join(inbox, name + ".done"))
        with open(ledger, "a") as log:
            log.write(name + "\n")
            log.flush()
            os.fsync(log.fileno())
        result = os.path.join(work, "PAYRES." + job + ".DAT")
        environment = dict(os.environ, DD_PAYIN=taken, DD_PAYOUT=result)
        completed = subprocess.run([program], env=environment, capture_output=True, text=True)
        if completed.returncode != 0:
            sys.stderr.write("spooler: %s ended with %d: %s\n" % (name, completed.returncode, completed.stdout.strip()))
            os.makedirs(os.path.join(work, "failed"), exist_ok=True)
            os.rename(taken, os.path.join(work, "failed", name))
            continue
        publish(result, outbox, "PAYRES." + job + ".DAT")


def main():
    program, inbox, outbox, work, ledger = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    stop = threading.Event()

    def lifeline():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=lifeline, daemon=True).start()
    print("ready", flush=True)
    while not stop.is_set():
        run_once(program, inbox, outbox, work, ledger)
        time.sleep(0.05)


if __name__ == "__main__":
    main()
