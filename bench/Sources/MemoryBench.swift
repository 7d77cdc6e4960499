import Foundation
import GroupInference

/// The exact search's memory on a problem it cannot prove (issue 15,
/// target 3): peak resident memory of this process during one long exact
/// solve, against the 512 MiB target, for the default memory limit or
/// another (a small one shows the depth-first fallback at work).
enum MemoryBench {
    static func run(directory: String, entry name: String, seconds: Double, limit: Int) throws {
        guard let e = try MDPEntry.loadManifest(directory: directory).first(where: { $0.name.hasPrefix(name) }) else {
            throw BenchError("no MDP entry named \(name)")
        }
        let p = try e.problem(MDPEntry.loadMatrix(directory: directory, file: e.data))
        print("exact search on \(e.name) (n = \(p.count), K = \(p.groupSize)), time limit \(seconds) s; "
              + "peak RSS of this process while it runs (VmHWM after resetting it)")
        print("memory limit      status        s     nodes    objective   gap %   RSS before  peak RSS  target")
        do {
            resetPeak()
            let before = residentMiB("VmRSS")
            let s = try solve(p, options: SolverOptions(choice: .exact, timeLimit: seconds, memoryLimit: limit))
            let peak = residentMiB("VmHWM")
            print(lpad("\(limit >> 20) MiB", 12) + "  " + pad(s.status.name, 10)
                  + f(" %7.1f %9d %12.2f %7.2f %8.0f MiB %5.0f MiB  ", s.seconds, s.nodes, s.objective,
                      (s.gap ?? .nan) * 100, before, peak)
                  + (peak < 512 ? "< 512 MiB: met" : ">= 512 MiB: NOT MET"))
        }
    }

    /// Linux: writing 5 to clear_refs resets the peak resident set size.
    private static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// A field of /proc/self/status in MiB (the kernel reports kB).
    static func residentMiB(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kB = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
            return kB / 1024
        }
        return .nan
    }
}
