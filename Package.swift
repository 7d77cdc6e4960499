// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds of the shared library carry the Swift runtime inside
// (-static-stdlib) and export only the gi_ functions of the header.
let exportsMap = Context.packageDirectory + "/Sources/GroupInferenceC/exports.map"

// SONAME libgroupinference.so.<major>, the major read from the header (the one
// place a version is written), so hosts linked against 0.x refuse a 1.x library.
// SwiftPM evaluates a URL dependency's manifest from git objects without its
// files: there the header is unreadable, and the flag is left out (a dependent
// can only use the GroupInference product, which links no shared library).
let sonameFlags: [String] = {
    let header = Context.packageDirectory + "/include/group_inference.h"
    guard let text = try? String(contentsOfFile: header, encoding: .utf8) else { return [] }
    let line = text.split(separator: "\n").first { $0.hasPrefix("#define GI_VERSION_MAJOR ") }
    guard let major = line?.split(separator: " ").last, Int(major) != nil else {
        fatalError("Package.swift: no `#define GI_VERSION_MAJOR <n>` in \(header)")
    }
    return ["-Xlinker", "-soname=libgroupinference.so.\(major)"]
}()

let package = Package(
    name: "groupinference",
    products: [
        // Public API: the C ABI (libgroupinference.so) for C, C++, Python and Rust hosts.
        .library(name: "groupinference", type: .dynamic, targets: ["GroupInferenceC"]),
        // Public API: the Swift core for Swift hosts (the .so exports no Swift symbols).
        .library(name: "GroupInference", targets: ["GroupInference"]),
        // `groupinference-cli qip FILE.json`; installed as `groupinference`. SwiftPM
        // refuses an executable product with the library product's name.
        .executable(name: "groupinference-cli", targets: ["GroupInferenceCLI"]),
        .executable(name: "groupinference-bench", targets: ["GroupInferenceBench"]),
    ],
    targets: [
        // Implementation details: the public header as a module, and shims for
        // the system libraries (Debian: libglpk-dev, libopenblas-dev).
        .systemLibrary(name: "CGroupInference", path: "include"),
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),

        // The core: problem, solvers, diversity, schedule, session, trace.
        .target(name: "GroupInference", dependencies: ["CGLPK", "COpenBLAS"]),

        // The C ABI: @_cdecl exports checked against the header.
        .target(
            name: "GroupInferenceC",
            dependencies: ["GroupInference", "CGroupInference"],
            exclude: ["exports.map"],
            swiftSettings: [.enableExperimentalFeature("CImplementation")],
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "--version-script=\(exportsMap)", "-use-ld=lld"] + sonameFlags),
                .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
            ]),

        .executableTarget(name: "GroupInferenceCLI", dependencies: ["GroupInference"]),
        .executableTarget(name: "GroupInferenceBench", dependencies: ["GroupInference"], path: "bench/Sources"),

        // Tests.
        .testTarget(name: "GroupInferenceTests", dependencies: ["GroupInference"]),
    ]
)
