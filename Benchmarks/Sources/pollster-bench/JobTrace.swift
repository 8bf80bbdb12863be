import Histogram
import PollsterCore
import Synchronization

/// Timestamps of one job's requests, taken by `TracingTransport` as the engine sends them.
///
/// Only what the measurements need is kept (a few instants per job, not one per poll), so the
/// instrumentation adds little to the resident memory it is measuring.
final class JobTrace: Sendable {
    /// The job whose requests the current task sends.
    @TaskLocal static var current: JobTrace?

    struct State {
        /// When the submit response was fully read: the provider's job clock starts about here.
        var submitEnd: ContinuousClock.Instant?
        /// When the previous status poll (or the submit) was fully read.
        var previousEnd: ContinuousClock.Instant?
        /// When the last status poll was fully read.
        var lastPollEnd: ContinuousClock.Instant?
        var polls = 0
        var downloadStart: ContinuousClock.Instant?
        var downloadEnd: ContinuousClock.Instant?
    }

    let state = Mutex(State())
}

/// The traces of jobs run in one batch (`inflight --batch`), where no task belongs to one job:
/// a submit gets a new trace, kept under the provider's job id from its answer; polls find it by
/// the `video_id` of their URL.
final class JobTraces: Sendable {
    private let byJob = Mutex<[String: JobTrace]>([:])

    func add(_ trace: JobTrace, id: String) { byJob.withLock { $0[id] = trace } }
    func trace(id: String) -> JobTrace? { byJob.withLock { $0[id] } }
    func remove(id: String) -> JobTrace? { byJob.withLock { $0.removeValue(forKey: id) } }
    /// The traces of the jobs not ended yet.
    var all: [JobTrace] { byJob.withLock { Array($0.values) } }

    /// The `video_id=` of a status URL.
    static func pollID(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let end = bytes.endOfFirst("video_id=") else { return nil }
        let id = bytes[end...].prefix { $0 != UInt8(ascii: "&") }
        return String(decoding: id, as: UTF8.self)
    }

    /// `data.video_id` of a submit answer.
    static func submitID(_ body: [UInt8]) -> String? {
        (try? JSONParser.parse(body))?["data"]?["video_id"]?.stringValue
    }
}

/// What all jobs of a run share: histograms of poll lateness and round trips.
final class TraceTotals: Sendable {
    /// The poll interval the jobs were given: poll k is due at the end of poll k-1 plus this.
    let interval: Duration
    private let histograms = Mutex(Totals())
    /// Jobs whose submit was answered and that have not ended yet.
    let inFlight = Atomic<Int>(0)
    /// Jobs ended, succeeded or not.
    let finished = Atomic<Int>(0)
    /// Set when the jobs run as one batch (no task-local trace).
    let batch: JobTraces?
    /// The body of one submit answer, to measure what the engine keeps of it.
    let submitBody = Mutex<[UInt8]?>(nil)

    /// Keeps `body` unless a submit answer is kept already.
    func keepSubmitBody(_ body: [UInt8]) {
        submitBody.withLock { if $0 == nil { $0 = body } }
    }

    struct Totals {
        /// Actual start of a poll minus its scheduled start, µs.
        var lateness = Histogram<UInt64>(
            highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        /// Poll request sent → response head received, µs (includes waiting for a pooled connection).
        var roundTrip = Histogram<UInt64>(
            highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        var polls = 0
        var requests = 0
        var failedRequests = 0
    }

    init(interval: Duration, batch: Bool = false) {
        self.interval = interval
        self.batch = batch ? JobTraces() : nil
    }

    var snapshot: Totals { histograms.withLock { $0 } }

    func pollStarted(lateness: Duration?) {
        histograms.withLock { totals in
            totals.polls += 1
            if let lateness { _ = totals.lateness.record(lateness.microseconds) }
        }
    }

    func request(roundTrip: Duration?, failed: Bool) {
        histograms.withLock { totals in
            totals.requests += 1
            if failed { totals.failedRequests += 1 }
            if let roundTrip { _ = totals.roundTrip.record(roundTrip.microseconds) }
        }
    }
}

extension [UInt8] {
    /// The index just past the first occurrence of `needle`, by plain byte comparison: the
    /// harness looks at every request, and its CPU counts in the client's.
    func endOfFirst(_ needle: StaticString) -> Int? {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard pattern.count <= count else { return nil }
        for start in 0...(count - pattern.count)
        where self[start] == pattern[0] && self[start..<start + pattern.count].elementsEqual(pattern) {
            return start + pattern.count
        }
        return nil
    }
}
