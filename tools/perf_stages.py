import collections, sys
stacks = open(sys.argv[1]).read().split('\n\n')
def clean(l):
    parts = l.strip().split(None, 1)
    return parts[1] if len(parts) > 1 else l.strip()
# (stage, substrings), checked from the innermost stage outwards: the first whose marker is in
# the stack wins, so nested stages are listed before the stages that contain them.
STAGES = [
    ("signature verification (XML-DSig: parse, c14n, digest, ECDSA, chain)", ["dsig::verify"]),
    ("structured form (JSON parse, Sosmeta schema and rules)", ["archive::structured_form", "validation::content_checks"]),
    ("other document rules", ["archive::content_findings", "validation::check_document"]),
    ("MIME unpacking and base64", ["wire::mime::read"]),
    ("CDA parse (element tree)", ["command::parse_cda"]),
    ("CDA header and contents typed", ["command::incoming"]),
    ("HL7 frame typed", ["command::read"]),
    ("SOAP envelope parse (element tree)", ["xml::parse_cancellable"]),
    ("durable commit (segment files, sled index, group flush)", ["Store>::commit"]),
    ("message id claim", ["claim_message_id"]),
    ("journal", ["append_journal"]),
    ("archive: other (lookups, record building)", ["Archive::handle"]),
    ("message handling: other", ["transport::handle_message"]),
    ("sled background flush", ["sled::threadpool", "sled::pagecache::iobuf"]),
    ("acknowledgement written", ["Reply::ack", "IntoResponse"]),
    ("request body, identity, handler", ["sha_handler"]),
    ("TLS and HTTP", ["rustls", "hyper::", "hyper_util", "tokio_rustls"]),
]
c = collections.Counter(); total = 0
for st in stacks:
    lines = [clean(l) for l in st.strip().split('\n') if l.strip()]
    if not lines: continue
    total += 1
    text = '\n'.join(lines)
    for name, marks in STAGES:
        if any(m in text for m in marks):
            c[name] += 1; break
    else:
        c["scheduler, kernel, allocator outside the above"] += 1
for name, _ in STAGES + [("scheduler, kernel, allocator outside the above", [])]:
    print(f"| {name} | {100*c[name]/total:.1f} % |")
print(f"samples: {total}")
