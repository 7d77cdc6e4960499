#if canImport(Glibc)
import Glibc
#endif
import GroupInference

/// `groupinference qip FILE.json [--solver exact|heuristic|auto]
/// [--time-limit SECONDS] [--gap G]`: solve one instance, print one JSON object.
/// Exit status: 0 solved, 2 bad usage or malformed file, 1 solver failure.
@main
enum GroupInferenceCLI {
    static let usage = """
        usage: groupinference qip FILE.json [--solver exact|heuristic|auto|mip] [--time-limit SECONDS] [--gap G]
        """

    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        if args.first == "-h" || args.first == "--help" {
            print(usage)
            exit(0)
        }
        guard args.first == "qip" else { fail(usage) }
        args.removeFirst()
        var file: String?
        var options = SolverOptions()
        while !args.isEmpty {
            let arg = args.removeFirst()
            switch arg {
            case "--solver":
                switch value(for: arg, &args) {
                case "exact": options.choice = .exact
                case "heuristic": options.choice = .heuristic
                case "auto": options.choice = .auto
                case "mip": options.choice = .mip
                case let other: fail("--solver \(other): expected exact, heuristic, auto or mip")
                }
            case "--time-limit":
                options.timeLimit = number(for: arg, &args)
            case "--gap":
                options.relativeGap = number(for: arg, &args)
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                guard !arg.hasPrefix("-"), file == nil else { fail("unexpected argument '\(arg)'; \(usage)") }
                file = arg
            }
        }
        guard let file else { fail("no instance file given; \(usage)") }
        do {
            try options.validate()
        } catch {
            fail(error.message)
        }
        let instance: InstanceFile
        do {
            instance = try InstanceFile.load(file)
        } catch {
            fail("\(file): \(error.message)")
        }
        do {
            let s = try solve(instance.problem, options: options)
            print(json(s))
        } catch {
            printError("groupinference: \(file): \(error.message)")
            exit(1)
        }
    }

    static func json(_ s: Solution) -> String {
        func num(_ x: Double?) -> String {
            guard let x, x.isFinite else { return "null" }
            return "\(x)"
        }
        let ids = s.selection.map(String.init).joined(separator: ", ")
        return "{\"selection\": [\(ids)], \"objective\": \(num(s.objective)), \"status\": \"\(s.status.name)\", "
            + "\"gap\": \(num(s.gap)), \"bound\": \(num(s.bound)), \"seconds\": \(num(s.seconds)), \"nodes\": \(s.nodes)}"
    }

    static func value(for flag: String, _ args: inout [String]) -> String {
        guard !args.isEmpty else { fail("\(flag) needs a value") }
        return args.removeFirst()
    }

    static func number(for flag: String, _ args: inout [String]) -> Double {
        let text = value(for: flag, &args)
        guard let x = Double(text), x.isFinite else { fail("\(flag) \(text): expected a number") }
        return x
    }

    static func printError(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    static func fail(_ message: String) -> Never {
        printError("groupinference: \(message)")
        exit(2)
    }
}
