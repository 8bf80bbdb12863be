import OrderedCollections

/// Equality and hashing that ignore the order of object members.
///
/// Two objects with the same members are equal whatever order they were written in
/// (`{"a":1,"b":2} == {"b":2,"a":1}`), as JSON means them; arrays stay ordered. An integer and
/// a double are different values (`1` ≠ `1.0`), as the cases are.
extension JSONValue: Hashable {
    /// True when both are the same case with equal payloads; objects compare member by member,
    /// whatever their order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        case (.integer(let left), .integer(let right)): left == right
        case (.double(let left), .double(let right)): left == right
        case (.string(let left), .string(let right)): left == right
        case (.array(let left), .array(let right)): left == right
        case (.object(let left), .object(let right)):
            left.count == right.count && left.allSatisfy { key, value in right[key] == value }
        default: false
        }
    }

    /// Hashes the case and its payload; an object's members are combined commutatively (the sum
    /// of per-member hashes), so equal objects in different orders hash alike.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag):
            hasher.combine(1)
            hasher.combine(flag)
        case .integer(let number):
            hasher.combine(2)
            hasher.combine(number)
        case .double(let number):
            hasher.combine(3)
            hasher.combine(number)
        case .string(let text):
            hasher.combine(4)
            hasher.combine(text)
        case .array(let items):
            hasher.combine(5)
            hasher.combine(items)
        case .object(let members):
            hasher.combine(6)
            hasher.combine(members.count)
            var sum = 0
            for (key, value) in members {
                var member = Hasher()
                member.combine(key)
                member.combine(value)
                sum &+= member.finalize()
            }
            hasher.combine(sum)
        }
    }
}
