/// Values waiting for a time, earliest first (first in, first out among equal times): the
/// scheduler's jobs between two polls. A binary min-heap: insert and take in O(log n).
package struct TimerHeap<Instant: Comparable, Element> {
    private struct Entry {
        var due: Instant
        var order: UInt64
        var element: Element

        func precedes(_ other: Entry) -> Bool {
            due < other.due || (due == other.due && order < other.order)
        }
    }

    private var entries: [Entry] = []
    private var inserted: UInt64 = 0

    /// An empty heap.
    package init() {}

    /// How many values wait.
    package var count: Int { entries.count }

    /// True when nothing waits.
    package var isEmpty: Bool { entries.isEmpty }

    /// The earliest time a value waits for.
    package var nextDue: Instant? { entries.first?.due }

    /// Adds `element`, due at `due`.
    package mutating func insert(_ element: Element, due: Instant) {
        entries.append(Entry(due: due, order: inserted, element: element))
        inserted &+= 1
        siftUp(entries.count - 1)
    }

    /// Takes the earliest value if it is due by `limit`.
    package mutating func popFirst(dueBy limit: Instant) -> (element: Element, due: Instant)? {
        guard let first = entries.first, first.due <= limit else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            siftDown(0)
        }
        return (first.element, first.due)
    }

    /// Takes every value, in no particular order.
    package mutating func removeAll() -> [Element] {
        defer { entries.removeAll() }
        return entries.map(\.element)
    }

    /// Takes every value `shouldRemove` picks, with its time, in no particular order; the others
    /// keep their order. O(n): for rare sweeps (canceled jobs), not for every poll.
    package mutating func removeAll(where shouldRemove: (Element) -> Bool) -> [(
        element: Element, due: Instant
    )] {
        var removed: [(element: Element, due: Instant)] = []
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count)
        for entry in entries {
            if shouldRemove(entry.element) {
                removed.append((entry.element, entry.due))
            } else {
                kept.append(entry)
            }
        }
        guard !removed.isEmpty else { return [] }
        entries = kept
        for index in stride(from: entries.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        return removed
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < entries.count, entries[left].precedes(entries[first]) { first = left }
            if right < entries.count, entries[right].precedes(entries[first]) { first = right }
            guard first != parent else { return }
            entries.swapAt(parent, first)
            parent = first
        }
    }
}
