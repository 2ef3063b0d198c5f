package dev.opendps.localhost.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Lets clients pinned to port 443 reach the local host on its real port: the official Java service
 * client accepts no port in {@code HostName} (sdk-wire-notes.md), so tests install a proxy selector that
 * sends its {@code https://host/…} connections through this HTTP CONNECT tunnel to the local host. TLS
 * still runs end to end between the SDK and the local host; the tunnel only copies bytes.
 */
final class TunnelProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "tunnel-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final ProxySelector previous = ProxySelector.getDefault();

    private TunnelProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Starts the tunnel and routes every connection to {@code host}:443 of this JVM through it. */
    static TunnelProxy routeHttpsOf(String host, int targetPort) throws IOException {
        TunnelProxy proxy = new TunnelProxy(targetPort);
        Proxy tunnel = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                proxy.server.getLocalPort()));
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                boolean target = host.equalsIgnoreCase(uri.getHost()) && (uri.getPort() == -1 || uri.getPort() == 443);
                return List.of(target ? tunnel : Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {
            }
        });
        return proxy;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> tunnel(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void tunnel(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            OutputStream out = client.getOutputStream();
            if (!head.startsWith("CONNECT ")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            threads.execute(() -> copy(upstream, client));
            copy(client, upstream);
        } catch (IOException e) {
            // The client or the host closed the connection: nothing to clean up beyond the sockets.
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the CONNECT request ended");
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // One side went away; the other copy loop ends when its socket closes.
        }
    }

    @Override
    public void close() throws IOException {
        ProxySelector.setDefault(previous);
        server.close();
        threads.shutdownNow();
    }
}
