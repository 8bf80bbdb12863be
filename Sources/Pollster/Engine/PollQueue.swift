import PollsterCore

/// What both scheduler loops (`JobScheduler.run` for `invokeEach`, `SharedScheduler` for
/// `invoke`) keep: the jobs between two polls in a timer heap, the steps running, and the one
/// timer child that wakes the loop for the next due poll. It lives in the loop's task.
struct PollQueue {
    /// Jobs between two polls, by when their next poll is due.
    var heap = TimerHeap<ContinuousClock.Instant, JobState>()
    /// Poll and result children in flight (timer children are not counted).
    var running = 0
    /// The time the latest timer child wakes for, while it sleeps.
    private var timer: ContinuousClock.Instant?
    /// When polls were last launched.
    private var launched: ContinuousClock.Instant?

    /// The timer wakes the loop at most once per this long: polls due closer together than this
    /// go out together, at most this late; a poll alone goes out on time.
    let wakeSpacing: Duration
    /// Polls cut short by the loop's cancellation hand their job back (`JobScheduler.poll`).
    let handBackOnCancel: Bool

    /// The queue of `invokeEach`'s loop: its jobs start in bursts, so their polls come in bursts
    /// already, and spacing wake-ups only made them later (docs/benchmarks.md, seventh round).
    static var batch: PollQueue { PollQueue(wakeSpacing: .zero, handBackOnCancel: false) }
    /// The queue of the shared scheduler: single invocations start one by one, and waking
    /// threads is most of what a lone poll costs; spacing wake-ups by 10 ms cut the client's CPU
    /// per poll by a fifth to a third at 1,000 polls a second spread evenly (seventh round).
    static var shared: PollQueue { PollQueue(wakeSpacing: .milliseconds(10), handBackOnCancel: true) }

    private init(wakeSpacing: Duration, handBackOnCancel: Bool) {
        self.wakeSpacing = wakeSpacing
        self.handBackOnCancel = handBackOnCancel
    }

    /// Starts the polls that are due, at most `JobScheduler.maxStepsInFlight` steps at once.
    mutating func launchDue(_ scheduler: JobScheduler, _ group: inout TaskGroup<JobScheduler.StepEnd>) {
        let now = ContinuousClock.now
        let handBack = handBackOnCancel
        while running < JobScheduler.maxStepsInFlight, let (job, _) = heap.popFirst(dueBy: now) {
            if job.call.waiter?.isCanceled == true {
                // Its caller is gone: the job ends here, with no more requests.
                job.limiters.jobs?.release()
                continue
            }
            running += 1
            launched = now
            group.addTask { await scheduler.poll(job, handBackOnCancel: handBack) }
        }
    }

    /// When the loop should next wake for polls: when the next is due, but no sooner than
    /// `wakeSpacing` after the last launch; nil when no job waits.
    var nextWake: ContinuousClock.Instant? {
        heap.nextDue.map { due in max(due, (launched ?? due) + wakeSpacing) }
    }

    /// Makes sure a timer child wakes the loop for the next due poll while steps run.
    mutating func armTimer(_ group: inout TaskGroup<JobScheduler.StepEnd>) {
        guard let next = nextWake, running < JobScheduler.maxStepsInFlight else { return }
        if let timer, timer <= next { return }
        timer = next
        group.addTask {
            try? await Task.sleep(until: next, clock: .continuous)
            return .tick(next)
        }
    }

    /// A timer child woke up for the poll due at `due`.
    mutating func tick(_ due: ContinuousClock.Instant) {
        if timer == due { timer = nil }
    }
}
