import PollsterCore
import Testing

/// The scheduler's timer heap: earliest first, first in first out among equal times.
@Suite("TimerHeap")
struct TimerHeapTests {
    @Test(
        "values come out by due time, ties in insertion order",
        arguments: [
            ([5, 1, 4, 1, 3], [1, 1, 3, 4, 5]),
            ([], []),
            ([7], [7]),
            (Array((0..<100).reversed()), Array(0..<100)),
            ([2, 2, 2, 1, 1], [1, 1, 2, 2, 2]),
        ])
    func order(dues: [Int], expected: [Int]) {
        var heap = TimerHeap<Int, (due: Int, inserted: Int)>()
        for (position, due) in dues.enumerated() { heap.insert((due, position), due: due) }
        #expect(heap.count == dues.count)
        var out: [(due: Int, inserted: Int)] = []
        while let (value, due) = heap.popFirst(dueBy: .max) {
            #expect(value.due == due)
            out.append(value)
        }
        #expect(out.map(\.due) == expected)
        for (a, b) in zip(out, out.dropFirst()) where a.due == b.due {
            #expect(a.inserted < b.inserted, "ties keep insertion order")
        }
        #expect(heap.isEmpty)
    }

    @Test("nothing comes out before it is due")
    func dueBy() {
        var heap = TimerHeap<Int, String>()
        heap.insert("late", due: 30)
        heap.insert("early", due: 10)
        #expect(heap.nextDue == 10)
        #expect(heap.popFirst(dueBy: 9) == nil)
        #expect(heap.popFirst(dueBy: 10)?.element == "early")
        #expect(heap.popFirst(dueBy: 29) == nil)
        #expect(heap.nextDue == 30)
        #expect(heap.removeAll() == ["late"])
        #expect(heap.nextDue == nil)
    }

    @Test(
        "removeAll(where:) takes the multiples of a number with their times; the rest keep their order",
        arguments: [
            ([5, 1, 4, 1, 3, 8, 2], 2),
            ([5, 1, 4, 1, 3, 8, 2], 100),
            ([5, 1, 4, 1, 3, 8, 2], 1),
            (Array((1..<64).reversed()), 3),
            ([], 1),
        ])
    func removeWhere(dues: [Int], divisor: Int) {
        let picked = { (value: Int) in value % divisor == 0 }
        var heap = TimerHeap<Int, Int>()
        for due in dues { heap.insert(due, due: due) }
        let removed = heap.removeAll(where: picked)
        #expect(removed.allSatisfy { $0.element == $0.due })
        #expect(removed.map(\.element).sorted() == dues.filter(picked).sorted())
        var rest: [Int] = []
        while let (value, _) = heap.popFirst(dueBy: .max) { rest.append(value) }
        #expect(rest == dues.filter { !picked($0) }.sorted())
    }

    @Test("random inserts and takes agree with a sorted list")
    func randomized() {
        var generator = SystemRandomNumberGenerator()
        var heap = TimerHeap<Int, Int>()
        var model: [Int] = []
        for _ in 0..<2_000 {
            if Bool.random(using: &generator) || model.isEmpty {
                let due = Int.random(in: 0..<500, using: &generator)
                heap.insert(due, due: due)
                model.append(due)
                model.sort()
            } else {
                let limit = Int.random(in: 0..<500, using: &generator)
                let taken = heap.popFirst(dueBy: limit)?.element
                let expected = model.first.flatMap { $0 <= limit ? $0 : nil }
                #expect(taken == expected)
                if expected != nil { model.removeFirst() }
            }
        }
        #expect(heap.count == model.count)
    }
}
