//! Any bytes given to the frame decoder: a typed error or a message that
//! re-encodes to itself; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_protocol::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::decode(data, 1 << 20) {
        let again = Message::decode(&message.encode(), 1 << 20).expect("re-encoded message decodes");
        assert_eq!(again, message);
    }
});
