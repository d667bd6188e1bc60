package dev.bq2.assistant;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The Anthropic Messages API (`POST /v1/messages`, SSE) as Claude Code 2.1.197 speaks it. */
final class MessagesStub extends ModelStub {
  static final int IN = 11;
  static final int OUT = 7;

  MessagesStub() throws IOException {
    super("/v1/messages");
  }

  @Override
  List<String[]> events(Reply reply, int n) {
    List<String[]> ev = new ArrayList<>();
    ev.add(new String[] {"message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_stub_" + n
        + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-stub\",\"content\":[],\"stop_reason\":null,"
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + IN + ",\"output_tokens\":1,"
        + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}}"});
    String stop;
    if (reply instanceof Json_ j) {
      ev.add(new String[] {"content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
          + "{\"type\":\"tool_use\",\"id\":\"toolu_" + n + "\",\"name\":\"StructuredOutput\",\"input\":{}}}"});
      ev.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
          + "{\"type\":\"input_json_delta\",\"partial_json\":" + quote(j.json()) + "}}"});
      stop = "tool_use";
    } else {
      ev.add(new String[] {"content_block_start",
          "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"});
      ev.add(new String[] {"content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
          + "{\"type\":\"text_delta\",\"text\":" + quote(((Text) reply).text()) + "}}"});
      stop = "end_turn";
    }
    ev.add(new String[] {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"});
    ev.add(new String[] {"message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stop
        + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + OUT + "}}"});
    ev.add(new String[] {"message_stop", "{\"type\":\"message_stop\"}"});
    return ev;
  }
}
