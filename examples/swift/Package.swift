// swift-tools-version:6.0
// A Swift host of groupinference: a package that depends on this repository
// by path and uses its `GroupInference` library product (the Swift core; the
// C ABI's libgroupinference.so is not involved).
//
// `name:` gives the dependency the name the product reference uses. Without
// it, a path dependency's identity is the name of the folder it sits in (the
// clone's folder: "groupinference", "groupinference-main", ...), and
// `package: "groupinference"` would fail in any other folder.
import PackageDescription

let package = Package(
    name: "swift-host",
    dependencies: [
        .package(name: "groupinference", path: "../.."),
        // From a release instead, see the README: .package(url: "<repository URL>", from: "<version>").
    ],
    targets: [
        .executableTarget(
            name: "SwiftHost",
            dependencies: [.product(name: "GroupInference", package: "groupinference")]),
    ]
)
