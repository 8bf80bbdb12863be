import Foundation
import Synchronization

/// The jobs, script queue and counters of one mock server, behind a `Mutex`.
///
/// Every method takes the lock once, does only in-memory work, and returns a value snapshot that
/// the routes render into JSON outside the lock.
final class MockProviderState: Sendable {
    /// What a submit request led to.
    enum SubmitResult: Sendable {
        case fault(MockFault)
        case created(MockJob, MockJobPhase)
    }

    /// What a status, result or download request found.
    enum Lookup: Sendable {
        case unknownJob
        case fault(MockFault)
        case found(MockJob, MockJobPhase)
    }

    /// What a cancel request did.
    enum CancelResult: Sendable {
        case unknownJob
        /// The job was already finished and stays as it was.
        case alreadyFinished(MockJob, MockJobPhase)
        case canceled(MockJob, MockJobPhase)
    }

    private struct Storage {
        var defaultScript: MockJobScript
        var queue: [MockJobScript] = []
        var jobs: [String: MockJob] = [:]
        var stats = MockProviderStats()
        var requests: [MockRecordedRequest] = []
        var activeJobs = 0
        var jobsByIdempotencyKey: [String: String] = [:]
    }

    /// Requests kept for ``MockProviderStats/requests``.
    static let recordedRequestLimit = 1000

    private let storage: Mutex<Storage>
    /// The key pair the Tencent routes verify signatures with.
    let tencentCredentials: MockTencentCredentials

    init(defaultScript: MockJobScript, tencentCredentials: MockTencentCredentials = .init()) {
        storage = Mutex(Storage(defaultScript: defaultScript))
        self.tencentCredentials = tencentCredentials
    }

    func enqueue(_ script: MockJobScript) {
        storage.withLock { $0.queue.append(script) }
    }

    var stats: MockProviderStats {
        storage.withLock { storage in
            var stats = storage.stats
            stats.requests = Array(storage.requests.suffix(Self.recordedRequestLimit))
            return stats
        }
    }

    func record(_ request: MockRecordedRequest) {
        storage.withLock { storage in
            storage.requests.append(request)
            // Trim in batches so recording stays amortized O(1).
            if storage.requests.count >= 2 * Self.recordedRequestLimit {
                storage.requests.removeFirst(storage.requests.count - Self.recordedRequestLimit)
            }
        }
    }

    /// Takes the next script and creates a job with `id`, unless the script has a `submitFault`.
    /// A repeat with an `idempotencyKey` seen before answers with that key's job and creates none.
    /// - Parameter observeIfFinished: report a finished job as observed (a `Prefer: wait` answer).
    func submit(
        style: MockProviderStyle,
        id: String,
        model: String,
        requestBody: [UInt8],
        idempotencyKey: String? = nil,
        observeIfFinished: Bool = false
    ) -> SubmitResult {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            if let idempotencyKey, let existing = storage.jobsByIdempotencyKey[idempotencyKey],
                let job = storage.jobs[existing]
            {
                storage.stats.idempotentReplays += 1
                return .created(job, job.phase(at: now))
            }
            storage.stats.submissions += 1
            storage.stats.submissionsByProvider[style.rawValue, default: 0] += 1
            let script = storage.queue.isEmpty ? storage.defaultScript : storage.queue.removeFirst()
            if let fault = script.submitFault { return .fault(fault) }
            storage.stats.jobsCreated += 1
            var job = MockJob(
                id: id, style: style, model: model, requestBody: requestBody, script: script,
                submittedAt: now, createdAt: Date())
            storage.activeJobs += 1
            storage.stats.maxConcurrentJobs = max(storage.stats.maxConcurrentJobs, storage.activeJobs)
            let phase = job.phase(at: now)
            if observeIfFinished { Self.observe(&job, phase, &storage) }
            storage.jobs[id] = job
            if let idempotencyKey { storage.jobsByIdempotencyKey[idempotencyKey] = id }
            if let lost = script.lostSubmitAnswer { return .fault(lost) }
            return .created(job, phase)
        }
    }

    /// A status request: counts it, serves the poll's fault or advances the job.
    func poll(id: String, style: MockProviderStyle) -> Lookup {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            storage.stats.polls += 1
            guard var job = storage.jobs[id], job.style == style else { return .unknownJob }
            storage.stats.pollsByJob[id, default: 0] += 1
            job.statusRequests += 1
            if let fault = job.script.faults[job.statusRequests] {
                storage.jobs[id] = job
                return .fault(fault)
            }
            job.answeredPolls += 1
            let phase = job.phase(at: now)
            Self.observe(&job, phase, &storage)
            storage.jobs[id] = job
            return .found(job, phase)
        }
    }

    /// A request for fal's `response_url`: counts it and serves the job's `resultFault`, if any.
    func fetchResult(id: String, style: MockProviderStyle) -> Lookup {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            storage.stats.resultFetches += 1
            guard var job = storage.jobs[id], job.style == style else { return .unknownJob }
            job.resultRequests += 1
            storage.jobs[id] = job
            if let fault = job.script.resultFaults[job.resultRequests] ?? job.script.resultFault {
                return .fault(fault)
            }
            return .found(job, job.phase(at: now))
        }
    }

    /// A file download: counts it and serves the job's `fileFault` or `fileFaults` entry, if any.
    /// - Parameter output: false for files that are not outputs (thumbnails), which are never faulted.
    func download(jobId: String, output: Bool = true) -> Lookup {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            storage.stats.downloads += 1
            guard var job = storage.jobs[jobId] else { return .unknownJob }
            if output {
                job.downloadRequests += 1
                storage.jobs[jobId] = job
                if let fault = job.script.fileFaults[job.downloadRequests] ?? job.script.fileFault {
                    return .fault(fault)
                }
            }
            return .found(job, job.phase(at: now))
        }
    }

    /// The jobs of `style`, newest first, each with its phase now (counts nothing, as a
    /// provider's list endpoint does not advance jobs).
    func jobs(style: MockProviderStyle) -> [(job: MockJob, phase: MockJobPhase)] {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            storage.jobs.values.filter { $0.style == style }.sorted { $0.submittedAt > $1.submittedAt }
                .map { ($0, $0.phase(at: now)) }
        }
    }

    /// The job with `id`, if any (counts nothing).
    func job(id: String) -> MockJob? {
        storage.withLock { $0.jobs[id] }
    }

    /// A redirect hop towards one of a job's files: counts it and returns the job, if known.
    func redirect(jobId: String) -> MockJob? {
        storage.withLock { storage in
            storage.stats.redirects += 1
            return storage.jobs[jobId]
        }
    }

    /// Cancels a job that has not finished.
    /// - Parameter observe: the answer shows the new status (replicate), so count the job as finished.
    func cancel(id: String, style: MockProviderStyle, observe: Bool) -> CancelResult {
        let now = ContinuousClock.now
        return storage.withLock { storage in
            guard var job = storage.jobs[id], job.style == style else { return .unknownJob }
            let before = job.phase(at: now)
            if before.isTerminal { return .alreadyFinished(job, before) }
            job.canceled = true
            let phase = job.phase(at: now)
            if observe { Self.observe(&job, phase, &storage) }
            storage.jobs[id] = job
            return .canceled(job, phase)
        }
    }

    private static func observe(_ job: inout MockJob, _ phase: MockJobPhase, _ storage: inout Storage) {
        guard phase.isTerminal, !job.observedFinished else { return }
        job.observedFinished = true
        storage.activeJobs -= 1
    }
}
