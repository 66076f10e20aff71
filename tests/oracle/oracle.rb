# frozen_string_literal: true

# Runs a Sidekiq Batch workflow for real and prints what happened, as ONE JSON
# document on stdout:
#
#   ruby tests/oracle/oracle.rb --root DIR --starter LABEL [--fail WORKER]... [--source FILE]...
#                               [--arguments JSON] [--falsy-stand-ins]
#
# or, to run many workflows without paying Ruby's and Sidekiq's start-up each time:
#
#   ruby tests/oracle/oracle.rb --serve
#
# which reads one JSON request per line on stdin ({"root": DIR or null, "starter":
# LABEL, "fail": [...], "sources": [...], "arguments": {PARAM: VALUE}, "stand_ins":
# "truthy" or "falsy"}) and answers each with one line: the report, or
# {"oracle_error": "..."}. Every request runs in a forked child, so no class a
# workflow defines outlives its run.
#
# `arguments` gives the starter's parameters by name, as JSON values (the values a
# flow gets as parameters of the same names); the others get stand-ins, or nil when
# `stand_ins` is "falsy" (see lib/stand_ins.rb for what else a falsy run changes).
#
# Real Sidekiq (OSS, in Sidekiq::Testing fake mode) pushes and runs the jobs;
# the Sidekiq Pro Batch API is reimplemented in lib/batch.rb and lib/engine.rb
# from the Sidekiq wiki pages "Batches" and "Really Complex Workflows with
# Batches". See tests/oracle/run_oracle.py for the Python side.

require "json"
require "logger"
require "optparse"
require "tempfile"

# Fixture code may print (`puts "reindex batch ... started"`): everything
# written to fd 1 goes to stderr, the report to the real stdout.
REPORT_OUT = STDOUT.dup
STDOUT.reopen(STDERR)

require "sidekiq"
require "sidekiq/testing"
Sidekiq::Testing.fake!
Sidekiq.logger = Logger.new($stderr, level: Logger::WARN)
Sidekiq.options[:on_complex_arguments] = nil # stand-ins are not native JSON; do not warn per push

%w[stand_ins constants core_ext records scheduler engine batch middleware active_job loader starter].each do |name|
  require_relative "lib/#{name}"
end

# Kept apart from module Oracle, whose helpers the stand-ins call by name.
module OracleRunner
  # One run: load the tree, call the starter, run every job and callback it leads to.
  def self.report_for(request)
    Oracle.engine = Oracle::Engine.new(fail: request[:fail], max_jobs: request[:max_jobs],
                                       max_callbacks: request[:max_callbacks], stand_ins: request[:stand_ins])
    loader = Oracle::Loader.new(request[:root])
    loader.load_all(request[:sources])

    starter_error = nil
    Oracle.engine.in_context([]) do
      Oracle::Starter.call(request[:starter], request[:arguments], request[:root])
    rescue Exception => e # a starter that raises still leaves what it pushed before
      starter_error = Oracle.engine.describe(e)
    end
    Oracle.engine.run
    Oracle.engine.report.merge("load_errors" => loader.errors, "starter_error" => starter_error)
  end

  def self.write_report(document)
    REPORT_OUT.write(JSON.generate(document))
    REPORT_OUT.write("\n")
    REPORT_OUT.flush
  end

  # Serve requests until stdin closes. The child writes the report itself; when it
  # exits without one, the parent answers with what the child printed.
  def self.serve
    $stdin.each_line do |line|
      request = parse_request(line)
      log = Tempfile.new("oracle-run")
      pid = fork do
        STDOUT.reopen(log)
        STDERR.reopen(log)
        write_report(report_for(request))
        exit!(0)
      rescue Exception => e # anything, so the parent always answers this request
        warn "#{e.class}: #{e.message}\n#{e.backtrace&.first(8)&.join("\n")}"
        exit!(1)
      end
      _, status = Process.wait2(pid)
      write_report("oracle_error" => "run ended (#{status}): #{tail(log.path)}") unless status.success?
      log.close!
    rescue JSON::ParserError => e
      write_report("oracle_error" => "not a JSON request: #{e.message}")
    end
  end

  def self.tail(path, size = 4000)
    text = File.read(path)
    text.size > size ? text[-size..] : text
  end

  def self.parse_request(line)
    given = JSON.parse(line)
    arguments = given.fetch("arguments", {})
    raise JSON::ParserError, "arguments must be an object: #{arguments.inspect}" unless arguments.is_a?(Hash)

    { root: given["root"], starter: given.fetch("starter"), fail: given.fetch("fail", []),
      sources: given.fetch("sources", []), max_jobs: given.fetch("max_jobs", 300),
      max_callbacks: given.fetch("max_callbacks", 300), arguments: arguments,
      stand_ins: given.fetch("stand_ins", "truthy") }
  end
end

options = { root: nil, starter: nil, fail: [], sources: [], max_jobs: 300, max_callbacks: 300, serve: false,
            arguments: {}, stand_ins: "truthy" }
OptionParser.new do |parser|
  parser.banner = "usage: oracle.rb --root DIR --starter LABEL [--fail WORKER]... [--source FILE]... " \
                  "[--arguments JSON] [--falsy-stand-ins] | --serve"
  parser.on("--root DIR") { |dir| options[:root] = dir }
  parser.on("--starter LABEL") { |label| options[:starter] = label }
  parser.on("--fail WORKER") { |worker| options[:fail] << worker }
  parser.on("--source FILE") { |file| options[:sources] << file }
  parser.on("--max-jobs N", Integer) { |n| options[:max_jobs] = n }
  parser.on("--max-callbacks N", Integer) { |n| options[:max_callbacks] = n }
  parser.on("--arguments JSON", "the starter's parameters by name") { |text| options[:arguments] = JSON.parse(text) }
  parser.on("--falsy-stand-ins", "nil for parameters not given, false for predicates on stand-ins") do
    options[:stand_ins] = "falsy"
  end
  parser.on("--serve") { options[:serve] = true }
end.parse!(ARGV)

if options[:serve]
  OracleRunner.serve
else
  abort "oracle.rb: --starter is required" unless options[:starter]
  abort "oracle.rb: give --root or --source" if options[:root].nil? && options[:sources].empty?
  OracleRunner.write_report(OracleRunner.report_for(options))
end
