#if canImport(Glibc)
import Glibc
#endif

/// The JSON the library itself reads and writes (calibrated schedule files).
/// Foundation cannot be linked into the shared library (its static archives
/// need CoreFoundation shims the -static-stdlib link lacks), so this small
/// reader covers RFC 8259 values without the extensions.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    struct SyntaxError: Error { let message: String }

    static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        var reader = Reader(bytes: Array(text.utf8))
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == reader.bytes.count else { throw reader.error("unexpected text after the value") }
        return value
    }

    subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    var number: Double? { if case let .number(x) = self { return x } else { return nil } }
    var array: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        func error(_ what: String) -> SyntaxError { SyntaxError(message: "\(what) at byte \(at)") }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < 64 else { throw error("nesting deeper than 64") }
            skipSpace()
            guard at < bytes.count else { throw error("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var object: [String: JSONValue] = [:]
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(object) }
                while true {
                    skipSpace()
                    guard case let .string(key) = try value(depth: depth + 1) else { throw error("expected a key") }
                    skipSpace()
                    try expect(":")
                    object[key] = try value(depth: depth + 1)
                    skipSpace()
                    if try endOrComma("}") { return .object(object) }
                }
            case UInt8(ascii: "["):
                at += 1
                var array: [JSONValue] = []
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(array) }
                while true {
                    array.append(try value(depth: depth + 1))
                    skipSpace()
                    if try endOrComma("]") { return .array(array) }
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                return .number(try number())
            }
        }

        mutating func expect(_ c: Unicode.Scalar) throws(SyntaxError) {
            guard at < bytes.count, bytes[at] == UInt8(ascii: c) else { throw error("expected '\(c)'") }
            at += 1
        }

        mutating func endOrComma(_ close: Unicode.Scalar) throws(SyntaxError) -> Bool {
            guard at < bytes.count else { throw error("unexpected end") }
            if bytes[at] == UInt8(ascii: close) { at += 1; return true }
            try expect(",")
            return false
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let w = Array(word.utf8)
            guard at + w.count <= bytes.count, Array(bytes[at..<(at + w.count)]) == w else {
                throw error("expected \(word)")
            }
            at += w.count
        }

        mutating func number() throws(SyntaxError) -> Double {
            let start = at
            while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
            guard at > start else { throw error("expected a value") }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            guard let x = Double(text), x.isFinite else { throw error("'\(text)' is not a finite number") }
            return x
        }

        mutating func string() throws(SyntaxError) -> String {
            at += 1
            var out: [UInt8] = []
            while at < bytes.count {
                let c = bytes[at]
                at += 1
                if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") {
                    guard at < bytes.count else { break }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard at + 4 <= bytes.count,
                              let code = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                        at += 4
                        out += Array(String(Character(scalar)).utf8)
                    default: out.append(e)
                    }
                } else {
                    out.append(c)
                }
            }
            throw error("unterminated string")
        }
    }
}

/// Whole-file reads and writes with the C library.
enum TextFile {
    static func read(_ path: String, limit: Int = 1 << 20) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = fread(&chunk, 1, chunk.count, f)
            if got > 0 { bytes += chunk[0..<got] }
            if got < chunk.count || bytes.count > limit { break }
        }
        guard bytes.count <= limit else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(_ text: String, to path: String) -> Bool {
        guard let f = fopen(path, "wb") else { return false }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, f)
        return fclose(f) == 0 && written == bytes.count
    }
}
