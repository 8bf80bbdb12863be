import Foundation
import Logging
import PollsterCore

/// Renews the leases of every task a worker drives — all of them in one store call, every third
/// of the lease — and tells each driver what the renewal found: its lease taken over by another
/// worker, or a cancel requested. A driver itself never wakes up between polls for its lease.
struct LeaseKeeper {
    let worker: TaskWorker
    let signals: WorkerSignals

    /// Renews every third of the lease until the calling task is canceled.
    func run() async {
        let every = worker.configuration.lease / 3
        while (try? await Task.sleep(for: every)) != nil {
            await renew()
        }
    }

    /// Renews the leases of the tasks driven now. A store that cannot be reached is reported
    /// once by the store guard; the leases may lapse meanwhile, and a worker that takes a task
    /// over makes this one's next save fail, which ends its driver.
    func renew() async {
        let driven = signals.driven
        guard !driven.isEmpty else { return }
        let ids = Array(driven.keys)
        let until = Date().addingTimeInterval(worker.configuration.lease.seconds)
        let renewed: [String: LeaseRenewal]
        do {
            renewed = try await worker.stores.call("renewing leases", running: driven.count) {
                [store = worker.store, id = worker.configuration.id] in
                try await store.renew(ids, worker: id, until: until)
            }
        } catch {
            worker.logger.debug("renewing \(ids.count) lease(s) failed: \(error)")
            return
        }
        for (id, box) in driven {
            if let renewal = renewed[id] {
                if renewal.cancelRequested { box.requestCancel() }
            } else {
                box.loseLease()
            }
        }
    }
}
