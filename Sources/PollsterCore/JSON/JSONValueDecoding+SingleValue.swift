/// The decoder as its own single-value container, and the scalar conversions the keyed and
/// unkeyed containers share.
extension JSONValueDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value.isNull }

    /// A bool; null is a `typeMismatch` here, not a `valueNotFound`, as `JSONDecoder` has it.
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw unexpected(type) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    /// An integer, from a double only when it is exactly one.
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let exact: T?
        switch value {
        case .integer(let number): exact = T(exactly: number)
        case .double(let number): exact = T(exactly: number)
        default: throw unexpected(type)
        }
        guard let exact else { throw doesNotFit(type) }
        return exact
    }

    /// A finite floating-point number, from a double or an integer.
    func floatingPoint<T: BinaryFloatingPoint>(_ type: T.Type) throws -> T {
        let number: T
        switch value {
        case .integer(let integer): number = T(integer)
        case .double(let double): number = T(double)
        default: throw unexpected(type)
        }
        guard number.isFinite else { throw doesNotFit(type) }
        return number
    }

    private func doesNotFit(_ type: Any.Type) -> DecodingError {
        let text =
            switch value {
            case .double(let number): "\(number)"
            default: value.scalarText ?? ""
            }
        return .dataCorrupted(
            .init(
                codingPath: codingPath,
                debugDescription: "Parsed JSON number <\(text)> does not fit in \(type)."))
    }
}
