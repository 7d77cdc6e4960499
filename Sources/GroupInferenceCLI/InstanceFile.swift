import FoundationEssentials
import GroupInference

/// A QIP instance in the format of the shared instance files: M, K, lambda,
/// unary (M values), binary (M × M, symmetric, zero diagonal); other keys
/// (name, optimum, ...) are ignored.
struct InstanceFile {
    let problem: SelectionProblem

    private struct Raw: Decodable {
        // Read as numbers and checked as whole numbers below, for a clear message.
        let M: Double
        let K: Double
        let lambda: Double
        let unary: [Double]
        let binary: [[Double]]
    }

    /// Reads and checks a file; the error text names what is wrong.
    static func load(_ path: String) throws(InstanceError) -> InstanceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InstanceError("cannot read the file")
        }
        // FoundationEssentials' JSON5 scanner traps on invalid UTF-8: check first.
        if let bad = firstInvalidUTF8(data) { throw InstanceError("not valid UTF-8 at byte \(bad)") }
        let raw: Raw
        do {
            let decoder = JSONDecoder()
            decoder.allowsJSON5 = true // reads NaN and Infinity, as Python's json writes them
            raw = try decoder.decode(Raw.self, from: data)
        } catch let error as DecodingError {
            throw InstanceError(describe(error))
        } catch {
            throw InstanceError("not valid JSON: \(error)")
        }
        let m = try whole(raw.M, "M"), k = try whole(raw.K, "K")
        guard m >= 1 else { throw InstanceError("M = \(m) must be at least 1") }
        guard m <= Limits.maxCandidates else { throw InstanceError("M = \(m) exceeds the limit of \(Limits.maxCandidates)") }
        guard k >= 1, k <= m else { throw InstanceError("K = \(k) is out of range 1..M (M = \(m))") }
        guard raw.lambda.isFinite else { throw InstanceError("lambda = \(raw.lambda) is not finite") }
        guard raw.unary.count == m else { throw InstanceError("unary has \(raw.unary.count) values, M = \(m) needs \(m)") }
        if let i = raw.unary.firstIndex(where: { !$0.isFinite }) {
            throw InstanceError("unary[\(i)] = \(raw.unary[i]) is not finite")
        }
        guard raw.binary.count == m else { throw InstanceError("binary has \(raw.binary.count) rows, M = \(m) needs \(m)") }
        for (i, row) in raw.binary.enumerated() {
            guard row.count == m else { throw InstanceError("binary[\(i)] has \(row.count) values, M = \(m) needs \(m)") }
            if let j = row.firstIndex(where: { !$0.isFinite }) {
                throw InstanceError("binary[\(i)][\(j)] = \(row[j]) is not finite")
            }
            guard row[i] == 0 else { throw InstanceError("binary[\(i)][\(i)] = \(row[i]): the diagonal must be zero") }
        }
        for i in 0..<m {
            for j in (i + 1)..<m where abs(raw.binary[i][j] - raw.binary[j][i]) > 1e-12 * max(1, abs(raw.binary[i][j])) {
                throw InstanceError("binary is not symmetric: [\(i)][\(j)] = \(raw.binary[i][j]) but [\(j)][\(i)] = \(raw.binary[j][i])")
            }
        }
        do {
            let p = try SelectionProblem(unary: raw.unary, pairwise: raw.binary.flatMap { $0 },
                                         lambda: raw.lambda, groupSize: k)
            return InstanceFile(problem: p)
        } catch {
            throw InstanceError(error.message)
        }
    }

    /// Offset of the first byte that breaks UTF-8, or nil.
    private static func firstInvalidUTF8(_ data: Data) -> Int? {
        var decoder = UTF8()
        var iterator = data.makeIterator()
        var offset = 0, start = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar):
                offset += UTF8.width(scalar)
                start = offset
            case .emptyInput: return nil
            case .error: return start
            }
        }
    }

    private static func whole(_ x: Double, _ field: String) throws(InstanceError) -> Int {
        guard x.isFinite, x == x.rounded(), abs(x) < 1e9 else {
            throw InstanceError("\(field) = \(x) must be a whole number")
        }
        return Int(x)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.enumerated().map { n, key in
                key.intValue.map { "[\($0)]" } ?? (n == 0 ? key.stringValue : "." + key.stringValue)
            }.joined()
        }
        switch error {
        case let .keyNotFound(key, _): return "missing field '\(key.stringValue)'"
        case let .typeMismatch(_, c): return "field '\(path(c.codingPath))' has the wrong type: \(c.debugDescription)"
        case let .valueNotFound(_, c): return "field '\(path(c.codingPath))' is null"
        case let .dataCorrupted(c):
            let at = c.codingPath.isEmpty ? "" : " at '\(path(c.codingPath))'"
            return "not valid JSON\(at) (or a number beyond float64's range): \(c.debugDescription)"
        @unknown default: return "cannot decode: \(error)"
        }
    }
}

struct InstanceError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
