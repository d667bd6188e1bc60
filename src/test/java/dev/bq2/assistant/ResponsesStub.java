package dev.bq2.assistant;

import java.io.IOException;
import java.util.List;

/** The OpenAI Responses API (`POST /v1/responses`, SSE) as Codex CLI 0.169.0 speaks it. */
public final class ResponsesStub extends ModelStub {
  static final int IN = 10;
  static final int OUT = 5;

  public ResponsesStub() throws IOException {
    super("/v1/responses");
  }

  @Override
  List<String[]> events(Reply reply, int n) {
    String item;
    if (reply instanceof Call c) {
      item = "{\"type\":\"function_call\",\"id\":\"fc_" + n + "\",\"call_id\":\"call_" + n + "\",\"name\":"
          + quote(c.name()) + ",\"arguments\":" + quote(c.arguments()) + "}";
    } else {
      String text = reply instanceof Text t ? t.text() : ((Json_) reply).json();
      item = "{\"type\":\"message\",\"role\":\"assistant\",\"id\":\"msg_" + n
          + "\",\"content\":[{\"type\":\"output_text\",\"text\":" + quote(text) + "}]}";
    }
    return List.of(
        new String[] {"response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_" + n + "\"}}"},
        new String[] {"response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":" + item + "}"},
        new String[] {"response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_" + n
            + "\",\"usage\":{\"input_tokens\":" + IN + ",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":" + OUT
            + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" + (IN + OUT) + "}}}"});
  }

  /** The `-c` flags pointing Codex at this stub with retries off. */
  public List<String> codexConfig() {
    return List.of(
        "model_provider=\"stub\"",
        "model_providers.stub={name=\"stub\",base_url=\"http://127.0.0.1:" + port()
            + "/v1\",wire_api=\"responses\",request_max_retries=0,stream_max_retries=0}",
        "model=\"test-model\"");
  }
}
