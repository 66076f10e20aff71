# frozen_string_literal: true

class TotalsCallback
  def on_success(_status, options)
    Totals.publish(options['by_year'])
  end
end

class YearTotalsWorker
  include Sidekiq::Job

  def perform(year, weights)
    Totals.compute(year, weights)
  end
end

class TotalsWorker
  include Sidekiq::Job

  def perform(years)
    batch = Sidekiq::Batch.new
    batch.on(:success, TotalsCallback, 'by_year' => { '2024' => 'done' })
    batch.jobs do
      YearTotalsWorker.perform_async(years.first, { '1' => 0.5, 'rest' => 0.5 })
      YearTotalsWorker.perform_async(years.last, { '1' => 0.5, 'rest' => 0.5 })
    end
  end
end
