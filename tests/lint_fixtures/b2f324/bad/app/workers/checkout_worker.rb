# frozen_string_literal: true

class FulfilWorker
  include Sidekiq::Job

  def perform(order_id)
    Order.find(order_id).fulfil!
  end
end

class CheckoutWorker
  include Sidekiq::Job

  def perform(cart_id)
    Order.transaction do
      order = Order.create_from_cart!(cart_id)
      FulfilWorker.perform_async(order.id) # expect: B2F324
    end
  end
end
