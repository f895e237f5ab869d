package dev.sluice.core.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on the loopback interface to a real server, that a test can freeze: from then on it
 * accepts connections and reads what clients send but passes nothing on either way, as a network
 * partition that drops packets does (no refusal, no reset: the client just waits).
 */
final class TcpRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final String host;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  TcpRelay(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accepting = new Thread(this::accept, "relay-accept");
    accepting.setDaemon(true);
    accepting.start();
  }

  /** The port clients connect to. */
  int port() {
    return listener.getLocalPort();
  }

  /** From now on nothing passes: connections hang. */
  void freeze() {
    frozen = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        if (frozen) {
          pump(client.getInputStream(), OutputStream.nullOutputStream());
          continue;
        }
        Socket server = new Socket(host, port);
        sockets.add(server);
        pump(client.getInputStream(), server.getOutputStream());
        pump(server.getInputStream(), client.getOutputStream());
      } catch (IOException e) {
        // closed, or the server went away: that connection ends
      }
    }
  }

  private void pump(InputStream from, OutputStream to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                for (int read = from.read(buffer); read >= 0; read = from.read(buffer)) {
                  if (!frozen) {
                    to.write(buffer, 0, read);
                    to.flush();
                  }
                }
              } catch (IOException e) {
                // one side closed: the connection ends
              }
            },
            "relay-pump");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
