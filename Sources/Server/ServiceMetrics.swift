import Foundation
public import Prometheus

/// The service's Prometheus metrics, served at `/metrics` in the text exposition format.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                      .milliseconds(2500), .seconds(5), .seconds(10)]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        // Failure counters exist from the start at 0, so an alert on their rate has a series
        // before the first failure.
        registry.makeCounter(descriptor: Self.jobsFailed).increment(by: Int64(0))
        registry.makeCounter(descriptor: Self.workerPassesFailed).increment(by: Int64(0))
    }

    // Computed: swift-prometheus's descriptor type is not Sendable, so it cannot be a static let.
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "countersign", subsystem: "http", metricName: "requests", unitName: "total",
                             helpText: "HTTP requests answered, by method, route pattern and status.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "countersign", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time to answer, by method and route pattern.")
    }
    static var jobsRun: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "countersign", subsystem: "jobs", metricName: "run", unitName: "total",
                             helpText: "Jobs the in-process worker ran, by kind.")
    }
    static var jobsFailed: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "countersign", subsystem: "jobs", metricName: "failed", unitName: "total",
                             helpText: "Jobs the in-process worker ran that failed (retried later).")
    }

    static var workerPassesFailed: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "countersign", subsystem: "worker", metricName: "passes_failed", unitName: "total",
                             helpText: "Passes of the in-process worker that failed as a whole (the store could not claim or finish jobs).")
    }

    /// Counts a worker pass that failed as a whole.
    func recordFailedPass() { registry.makeCounter(descriptor: Self.workerPassesFailed).increment() }

    /// Counts a request and records its duration, by method, route pattern and status.
    func record(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.requests,
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.duration,
                                       labels: [("method", method), ("route", route)], buckets: Self.buckets).record(duration)
    }

    /// Counts the jobs an in-process worker pass ran or failed.
    func recordJobs(ran: [String: Int], failed: Int) {
        for (kind, count) in ran where count > 0 {
            registry.makeCounter(descriptor: Self.jobsRun, labels: [("kind", kind)]).increment(by: Int64(count))
        }
        if failed > 0 { registry.makeCounter(descriptor: Self.jobsFailed).increment(by: Int64(failed)) }
    }

    /// The exposition text.
    func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
