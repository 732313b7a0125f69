package dev.tandem.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Set;

/**
 * Keeps /metrics clean by Prometheus' own rules (promtool check metrics, run by the tests): the
 * few library meters whose exported names break them are dropped (Tandem exports what they would
 * tell, or an operator does not need it), and those their libraries left without help text get one.
 */
public class ExportedMeters {
    /**
     * process_cpu_time_ns_total (an abbreviated unit; process_cpu_usage stays), system_cpu_count (a
     * gauge named _count), http_server_connections_seconds_active_count (a series the registry
     * exports without help; http_server_active_connections says the same).
     */
    static final Set<String> DROPPED = Set.of("process.cpu.time", "system.cpu.count", "http.server.connections");

    static final Map<String, String> HELP = Map.of("http.server.active.requests", "HTTP requests being served now");

    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return DROPPED.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String help = HELP.get(id.getName());
                if (help == null || id.getDescription() != null) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
            }
        };
    }
}
