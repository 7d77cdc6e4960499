#if canImport(Glibc)
import Glibc
#endif
import CGroupInference

/// Structs that may grow travel with the size the caller compiled them with.
/// Version 0.1 sizes are the minimum; a caller's larger struct is accepted
/// when the bytes this library does not know are zero.
enum SizedStruct {
    /// Smallest caller sizes accepted: the 0.1 layouts (tests/c checks them
    /// against sizeof). When a struct grows, its 0.1 size stays here.
    static let minimumOptions = 88
    static let minimumProgress = 56
    static let minimumRecord = 72
    static let minimumSolveResult = 48
    static let minimumDiagnostics = 48
    static let minimumGoal = 24
    static let minimumReport = 40

    /// Copies the caller's input struct over `defaults`, field bytes beyond
    /// the caller's size keeping their defaults.
    static func read<T>(_ source: UnsafePointer<T>, declaredSize: Int, minimum: Int,
                        defaults: T, name: String) throws(ABIError) -> T {
        let known = MemoryLayout<T>.size
        guard declaredSize.sizeT >= minimum else {
            throw .version("\(name).struct_size = \(declaredSize) is smaller than the smallest supported layout (\(minimum) bytes); initialise it with gi_options_init(&o, sizeof o)")
        }
        guard declaredSize.sizeT <= 1 << 16 else {
            throw .version("\(name).struct_size = \(declaredSize.sizeT) is not a plausible size; initialise it with gi_options_init(&o, sizeof o)")
        }
        if declaredSize > known {
            let extra = UnsafeRawPointer(source).advanced(by: known)
            for i in 0..<(declaredSize - known) where extra.load(fromByteOffset: i, as: UInt8.self) != 0 {
                throw .version("\(name) declares \(declaredSize) bytes and sets fields beyond the \(known) bytes this library (\(GI_VERSION_STRING)) knows; use a newer library or leave them zero")
            }
        }
        var value = defaults
        withUnsafeMutableBytes(of: &value) { dst in
            _ = memcpy(dst.baseAddress!, UnsafeRawPointer(source), min(declaredSize, known))
        }
        return value
    }

    /// Writes an output struct into the caller's `size` bytes: what fits of
    /// it, and zeros for any caller bytes beyond it.
    static func write<T>(_ value: T, to destination: UnsafeMutablePointer<T>?, size: Int,
                         minimum: Int, name: String) throws(ABIError) {
        guard let destination else { throw .argument("\(name) is NULL") }
        guard size.sizeT >= minimum, size.sizeT <= 1 << 16 else {
            throw .version("size = \(size.sizeT) for \(name) is not supported: pass sizeof(\(name)) (at least \(minimum) bytes)")
        }
        let known = MemoryLayout<T>.size
        var copy = value
        withUnsafeBytes(of: &copy) { src in
            _ = memcpy(UnsafeMutableRawPointer(destination), src.baseAddress!, min(size, known))
        }
        if size > known {
            _ = memset(UnsafeMutableRawPointer(destination).advanced(by: known), 0, size - known)
        }
    }
}
