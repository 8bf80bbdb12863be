import OrderedCollections

/// Finds output URLs in a final result.
///
/// Explicit paths win. Otherwise the result is searched breadth-first for strings that
/// are http(s) or `data:` URLs, never descending into keys that are not outputs
/// (thumbnails, previews, API links, webhooks, logs). Candidates under a preferred key
/// (`video_url`, `url`, `output`, …) rank first, shallower before deeper. The best
/// candidate's path pattern (indices as `[*]`) selects the group returned, so all four
/// images of `images[*].url` come back together. When the best owes its rank to a container
/// (`output`, `images`, `ResultImage`, …) rather than to its own key, every URL in that
/// container comes back: Replicate's `output: {"image": …, "mask": …}` is two files. `all`
/// returns every candidate.
public enum OutputFinder {
    /// Keys that hold outputs, most specific first.
    public static let preferredKeys = [
        "video_url", "videoUrl", "audio_url", "audioUrl", "image_url", "imageUrl", "file_url", "fileUrl",
        "FileUrl",
        "download_url", "downloadUrl", "output_url", "result_url", "url", "ResultImage", "output", "outputs",
        "images", "video", "audio",
    ]

    /// Keys that are never outputs (exact names).
    public static let excludedKeys: Set<String> = [
        "thumbnail_url", "thumbnailUrl", "gif_url", "caption_url", "input", "inputs", "urls", "status_url",
        "statusUrl", "response_url", "cancel_url", "logs",
    ]

    /// Key prefixes that are never outputs.
    public static let excludedPrefixes = ["preview", "cover", "webhook", "callback", "thumbnail"]

    /// One output URL and the path it was found at.
    public struct Candidate: Sendable, Equatable {
        /// The URL (or `data:` URI).
        public var url: String
        /// Where it was found.
        public var path: JSONPath
        /// The size and checksums the answer states next to the URL.
        public var stated = StatedIntegrity()

        /// A candidate from its parts.
        public init(url: String, path: JSONPath, stated: StatedIntegrity = StatedIntegrity()) {
            self.url = url
            self.path = path
            self.stated = stated
        }
    }

    /// The output URLs of `result`.
    public static func find(in result: JSONValue, explicitPaths: [JSONPath]? = nil, all: Bool = false)
        -> [Candidate]
    {
        candidates(in: result, explicitPaths: explicitPaths, all: all).map { candidate in
            var candidate = candidate
            let parent = JSONPath(Array(candidate.path.components.dropLast()))
            if case .key? = candidate.path.components.last,
                case .object(let object)? = parent.firstValue(in: result)
            {
                candidate.stated = StatedIntegrity.read(from: object, at: parent)
            }
            return candidate
        }
    }

    private static func candidates(in result: JSONValue, explicitPaths: [JSONPath]?, all: Bool) -> [Candidate]
    {
        if let explicitPaths {
            var found: [Candidate] = []
            for path in explicitPaths {
                for match in path.matches(in: result) {
                    found += urls(in: match.value, at: match.path)
                }
            }
            return deduplicated(found)
        }
        let ranked = search(result)
        guard let best = ranked.first else { return [] }
        if all { return deduplicated(ranked.map(\.candidate)) }
        let depth = best.rankedAt
        if depth > 0 && depth < best.candidate.path.components.count {
            // Ranked by a container: everything in it that ranks the same.
            let container = wildcarded(best.candidate.path, first: depth)
            return deduplicated(
                ranked.filter {
                    $0.rank == best.rank && wildcarded($0.candidate.path, first: depth) == container
                }
                .map(\.candidate))
        }
        let pattern = wildcarded(best.candidate.path)
        return deduplicated(ranked.filter { wildcarded($0.candidate.path) == pattern }.map(\.candidate))
    }

    /// True for keys the search never enters.
    public static func isExcluded(_ key: String) -> Bool {
        if excludedKeys.contains(key) { return true }
        let lower = key.lowercased()
        return excludedPrefixes.contains { lower.hasPrefix($0) }
    }

    /// True for strings that can be downloaded.
    public static func isOutputURL(_ text: String) -> Bool {
        text.hasPrefix("https://") || text.hasPrefix("http://") || text.hasPrefix("data:")
    }

    private struct Ranked {
        var candidate: Candidate
        var rank: Int
        /// The number of path components up to the key that gave `rank` (0: no preferred key).
        var rankedAt: Int
        var depth: Int
        var order: Int
    }

    private static func search(_ root: JSONValue) -> [Ranked] {
        var queue: [(value: JSONValue, path: JSONPath, rank: Int, rankedAt: Int)] = [
            (root, JSONPath([]), Int.max, 0)
        ]
        var found: [Ranked] = []
        var head = 0
        while head < queue.count {
            let (value, path, rank, rankedAt) = queue[head]
            head += 1
            switch value {
            case .string(let text) where isOutputURL(text):
                found.append(
                    Ranked(
                        candidate: Candidate(url: text, path: path), rank: rank, rankedAt: rankedAt,
                        depth: path.components.count, order: found.count))
            case .array(let items):
                for (index, item) in items.enumerated() {
                    queue.append((item, path.appending(.index(index)), rank, rankedAt))
                }
            case .object(let members):
                let keys = members.keys.sorted { keyOrder($0) < keyOrder($1) }
                for key in keys where !isExcluded(key) {
                    let keyRank = preferredKeys.firstIndex(of: key) ?? Int.max
                    let child = path.appending(.key(key))
                    queue.append(
                        keyRank < rank
                            ? (members[key]!, child, keyRank, child.components.count)
                            : (members[key]!, child, rank, rankedAt))
                }
            default: break
            }
        }
        return found.sorted { ($0.rank, $0.depth, $0.order) < ($1.rank, $1.depth, $1.order) }
    }

    private static func keyOrder(_ key: String) -> (Int, String) {
        (preferredKeys.firstIndex(of: key) ?? Int.max, key)
    }

    private static func urls(in value: JSONValue, at path: JSONPath) -> [Candidate] {
        switch value {
        case .string(let text) where isOutputURL(text): [Candidate(url: text, path: path)]
        case .array(let items):
            items.enumerated().flatMap { urls(in: $1, at: path.appending(.index($0))) }
        case .object(let members):
            // An object at an explicit path: take its `url`-like member.
            ["url", "uri", "href", "download_url", "file_url"].compactMap { key in
                members[key]?.stringValue.flatMap {
                    isOutputURL($0) ? Candidate(url: $0, path: path.appending(.key(key))) : nil
                }
            }.prefix(1).map { $0 }
        default: []
        }
    }

    /// `path` (its first `count` components, when given) with every index as `[*]`.
    private static func wildcarded(_ path: JSONPath, first count: Int? = nil) -> JSONPath {
        JSONPath(
            path.components.prefix(count ?? path.components.count).map {
                if case .index = $0 { .wildcard } else { $0 }
            })
    }

    private static func deduplicated(_ candidates: [Candidate]) -> [Candidate] {
        var seen: Set<String> = []
        return candidates.filter { seen.insert($0.url).inserted }
    }
}
