/// Writes an output array the way every getter of the header does: `count`
/// always receives the number of elements; a NULL array asks only for that.
func writeArray<T>(_ values: [T], to out: UnsafeMutablePointer<T>?, capacity: Int,
                   count: UnsafeMutablePointer<Int>?, what: String) throws(ABIError) {
    guard let count else { throw .argument("count is NULL") }
    count.pointee = values.count
    guard let out else { return }
    guard capacity.sizeT >= values.count else {
        throw .argument("capacity = \(capacity) is less than the \(values.count) \(what) to write")
    }
    values.withUnsafeBufferPointer { src in
        if let base = src.baseAddress { out.update(from: base, count: src.count) }
    }
}

/// size_t arguments arrive as Int; values above Int.max turn negative. Read
/// them as the unsigned number the caller passed.
extension Int {
    var sizeT: UInt { UInt(bitPattern: self) }
}
