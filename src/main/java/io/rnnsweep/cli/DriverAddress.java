package io.rnnsweep.cli;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;

/** The driver's address as executors on other hosts reach it, chosen the way Spark chooses its own. */
final class DriverAddress {
    private DriverAddress() {
    }

    /** Returns {@code SPARK_LOCAL_IP} when set, else this host's address, else its first non-loopback IPv4 one. */
    static InetAddress find() {
        try {
            String ip = System.getenv("SPARK_LOCAL_IP");
            if (ip != null && !ip.isBlank()) {
                return InetAddress.getByName(ip);
            }
            InetAddress local = InetAddress.getLocalHost();
            if (!local.isLoopbackAddress()) {
                return local;
            }
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!n.isUp() || n.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a;
                    }
                }
            }
            return local;
        } catch (UnknownHostException | SocketException e) {
            return InetAddress.getLoopbackAddress();
        }
    }
}
