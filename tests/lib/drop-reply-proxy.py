#!/usr/bin/env python3
"""A unix-socket proxy in front of ovsdb-server that loses one reply.

    drop-reply-proxy.py LISTEN_PATH TARGET_PATH TRIGGER

Forwards every connection to TARGET_PATH. The first request containing
TRIGGER is forwarded, the server gets time to commit it, and then both ends
are closed without the reply: the client sees the connection drop after
its transaction committed. Used by the fault tests only.
"""
import os
import select
import socket
import sys
import time

listen_path, target_path, trigger = sys.argv[1], sys.argv[2], sys.argv[3].encode()
try:
    os.unlink(listen_path)
except FileNotFoundError:
    pass
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(listen_path)
server.listen(16)
triggered = False

while True:
    client, _ = server.accept()
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    upstream.connect(target_path)
    peers = {client: upstream, upstream: client}
    dropping = False
    while True:
        ready, _, _ = select.select([client, upstream], [], [], 0.3 if dropping else None)
        if dropping and not ready:
            break  # the server had its time; drop the reply
        data = b""
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                break
            if sock is upstream and dropping:
                continue
            peers[sock].sendall(data)
            if sock is client and not triggered and trigger in data:
                triggered = dropping = True
        if ready and not data:
            break
    client.close()
    upstream.close()
