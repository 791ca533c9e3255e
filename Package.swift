// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Portage",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portage", targets: ["portage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "GatewayCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "FixedWidth", dependencies: ["GatewayCore"]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "XMLSOAP",
            dependencies: ["GatewayCore", "CLibXML2", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "Transports",
            dependencies: [
                "GatewayCore", "CCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(name: "Resilience", dependencies: ["GatewayCore"]),
        .target(name: "Cache", dependencies: ["GatewayCore"]),
        .target(
            name: "Store",
            dependencies: ["GatewayCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "AdapterKinds",
            dependencies: [
                "GatewayCore", "FixedWidth", "XMLSOAP", "Transports", "Resilience", "Store",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GatewayHTTP",
            dependencies: [
                "GatewayCore", "AdapterKinds", "Resilience", "Cache",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "DemoBackends",
            dependencies: [
                "GatewayCore", "FixedWidth", "XMLSOAP", "GatewayTesting", "Transports",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "GatewayTesting",
            dependencies: [
                "Transports",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(name: "FixedWidthFuzz", dependencies: ["FixedWidth", "GatewayCore"]),
        .executableTarget(
            name: "portage",
            dependencies: [
                "GatewayCore", "FixedWidth", "XMLSOAP", "AdapterKinds", "GatewayHTTP", "DemoBackends", "Transports", "GatewayTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "GatewayCoreTests", dependencies: ["GatewayCore", "AdapterKinds"]),
        .target(name: "CorpusSupport", path: "Tests/Support/CorpusSupport"),
        .testTarget(name: "FixedWidthTests", dependencies: ["FixedWidth", "CorpusSupport"]),
        .testTarget(name: "XMLSOAPTests", dependencies: ["XMLSOAP", "GatewayCore", "CorpusSupport"]),
        .testTarget(name: "TransportsTests", dependencies: ["Transports", "GatewayTesting"]),
        .testTarget(name: "ResilienceTests", dependencies: ["Resilience", "Cache", "GatewayCore", "CorpusSupport"]),
        .testTarget(
            name: "GatewayHTTPTests",
            dependencies: [
                "GatewayHTTP", "DemoBackends", "GatewayTesting", "AdapterKinds", "CorpusSupport", "Resilience",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "DemoBackends", "AdapterKinds", "Transports", "CorpusSupport",
                "GatewayHTTP", "GatewayTesting", "GatewayCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Batch", "COBOL", "Fixtures", "SOAP"]
        ),
    ]
)
