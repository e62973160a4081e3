"""A small SOCKS5 proxy on loopback that records the credentials of every
CONNECT, for tests of stream isolation.

Tor keeps streams whose SOCKS5 username/password (RFC 1929) differ on
different circuits; like Tor, this proxy chooses username/password
authentication whenever the client offers it, and records
(username, password, host, port) for every CONNECT it serves, then relays
the bytes both ways. Bounded: one thread per connection, a 255-byte limit on
every length field (as in the RFCs), loopback only.
"""
import socket
import struct
import threading


def _read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed during the SOCKS handshake")
        data += chunk
    return data


class SocksRecorder:
    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(256)
        self.port = self.listener.getsockname()[1]
        self.url = f"socks5h://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.connects = []  # (username or None, password or None, host, port)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def take(self):
        """The CONNECTs recorded since the previous take()."""
        with self.lock:
            taken, self.connects = self.connects, []
        return taken

    def close(self):
        self.closed = True
        self.listener.close()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        upstream = None
        try:
            conn.settimeout(30)
            version, count = _read_exact(conn, 2)
            if version != 5:
                return
            methods = _read_exact(conn, count)
            user = password = None
            if 2 in methods:
                conn.sendall(b"\x05\x02")
                sub = _read_exact(conn, 2)
                if sub[0] != 1:
                    return
                user = _read_exact(conn, sub[1])
                plen = _read_exact(conn, 1)[0]
                password = _read_exact(conn, plen)
                conn.sendall(b"\x01\x00")
            elif 0 in methods:
                conn.sendall(b"\x05\x00")
            else:
                conn.sendall(b"\x05\xff")
                return
            ver, cmd, _, atyp = _read_exact(conn, 4)
            if ver != 5 or cmd != 1:
                return
            if atyp == 1:
                host = socket.inet_ntoa(_read_exact(conn, 4))
            elif atyp == 3:
                host = _read_exact(conn, _read_exact(conn, 1)[0]).decode("ascii", "replace")
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, _read_exact(conn, 16))
            else:
                return
            (port,) = struct.unpack(">H", _read_exact(conn, 2))
            with self.lock:
                self.connects.append((user, password, host, port))
            upstream = socket.create_connection(("127.0.0.1" if host == "localhost" else host, port), timeout=10)
            conn.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
            conn.settimeout(None)
            upstream.settimeout(None)
            threading.Thread(target=self._pipe, args=(upstream, conn), daemon=True).start()
            self._pipe(conn, upstream)
        except (OSError, ConnectionError):
            pass
        finally:
            conn.close()
            if upstream is not None:
                upstream.close()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
